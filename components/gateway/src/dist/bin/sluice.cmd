@echo off
rem Sluice launcher of the Windows distribution (docs/sizing.md): runs lib\sluice.jar with the java on PATH (17+).
rem JVM options: SLUICE_JAVA_OPTS; without -Xmx there, the edge defaults below apply.
setlocal
set "HERE=%~dp0.."
set "OPTS=%SLUICE_JAVA_OPTS%"
echo.%SLUICE_JAVA_OPTS% %JAVA_TOOL_OPTIONS% | findstr /c:"-Xmx" /c:"MaxRAMPercentage" >nul
if errorlevel 1 set "OPTS=-Xms16m -Xmx96m -Xmn8m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.3 -Xss512k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData -Dio.netty.allocator.maxOrder=7 %SLUICE_JAVA_OPTS%"
java %OPTS% -jar "%HERE%\lib\sluice.jar" %*
