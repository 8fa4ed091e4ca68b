@echo off
rem Runs the Sluice CLI from this checkout, building components\gateway\target\sluice.jar on first use;
rem `sluice.cmd demo` runs the demo jar, components\demo\target\sluice-demo.jar. Without -Xmx in SLUICE_JAVA_OPTS
rem the edge JVM defaults apply (docs\sizing.md).
setlocal
set "ROOT=%~dp0"
set "JAR=%ROOT%components\gateway\target\sluice.jar"
set "MODULE=components/gateway"
if /i "%~1"=="demo" (
  set "JAR=%ROOT%components\demo\target\sluice-demo.jar"
  set "MODULE=components/demo"
)
if not exist "%JAR%" (
  echo sluice: building %MODULE% ^(first use; this takes a minute^)... 1>&2
  pushd "%ROOT%"
  call mvn -B -q -DskipTests -pl %MODULE% -am package 1>&2
  if errorlevel 1 ( popd & exit /b 1 )
  popd
)
set "OPTS=%SLUICE_JAVA_OPTS%"
echo.%SLUICE_JAVA_OPTS% %JAVA_TOOL_OPTIONS% | findstr /c:"-Xmx" /c:"MaxRAMPercentage" >nul
if errorlevel 1 set "OPTS=-Xms16m -Xmx96m -Xmn8m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.3 -Xss512k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData -Dio.netty.allocator.maxOrder=7 %SLUICE_JAVA_OPTS%"
java %OPTS% -jar "%JAR%" %*
