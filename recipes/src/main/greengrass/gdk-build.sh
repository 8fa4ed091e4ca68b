#!/bin/sh
# Custom build step for the Greengrass Development Kit: `gdk component build` runs this in the GDK project folder
# (recipes/target/greengrass) after creating greengrass-build/. It expects `mvn package` (or install) to have built
# the application jar; it copies that jar and this folder's recipe, whose version Maven already filled in.
set -eu
COMPONENT=io.sluice.Gateway
VERSION='@project.version@'
JAR=../../../components/gateway/target/sluice.jar
if [ ! -f "$JAR" ]; then
  echo "gdk-build.sh: $JAR not found; build it first: mvn -B package -pl components/gateway -am" >&2
  exit 1
fi
mkdir -p "greengrass-build/artifacts/$COMPONENT/$VERSION" greengrass-build/recipes
cp "$JAR" "greengrass-build/artifacts/$COMPONENT/$VERSION/sluice.jar"
cp recipe.yaml greengrass-build/recipes/recipe.yaml
echo "gdk-build.sh: $COMPONENT $VERSION ready in greengrass-build/"
