@echo off
rem Runs the Sluice CLI from this checkout, building components\gateway\target\sluice.jar on first use.
setlocal
set "ROOT=%~dp0"
set "JAR=%ROOT%components\gateway\target\sluice.jar"
if not exist "%JAR%" (
  echo sluice: building the gateway ^(first use; this takes a minute^)... 1>&2
  pushd "%ROOT%"
  call mvn -B -q -DskipTests -pl components/gateway -am package 1>&2
  if errorlevel 1 ( popd & exit /b 1 )
  popd
)
java %SLUICE_JAVA_OPTS% -jar "%JAR%" %*
