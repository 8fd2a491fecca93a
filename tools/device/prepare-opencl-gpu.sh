#!/usr/bin/env bash
# Builds what run-opencl-gpu.sh needs on a GPU machine that has no Java and no Maven:
#   .jdk/        a jlinked JDK 25 runtime (~50 MB)
#   out/device/  the core and opencl jars, the opencl test classes, and their test libraries
# Run it here (any machine with a JDK 25); then carry .jdk and out/device to the device machine
# and run tools/device/run-opencl-gpu.sh there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/bin/lib/jdk.sh"
require_jdk25
cd "$root"

rm -rf out/device .jdk
./mvnw -B -q -pl opencl -am package dependency:copy-dependencies -DskipTests \
    -DincludeScope=test -DexcludeGroupIds=dev.panamacnn -DoutputDirectory="$root/out/device/lib"
cp core/target/panama-cnn-core-*.jar opencl/target/panama-cnn-opencl-*.jar out/device/
"$JAVA_HOME/bin/jar" --create --file out/device/panama-cnn-opencl-tests.jar -C opencl/target/test-classes .

# Modules: what jdeps reports for the jars (java.base, java.sql for the test libraries), plus
# java.logging (System.Logger output), the management modules (MXBeans in measurements) and
# the Vector API. Compressed and stripped to stay well under the 64 MiB a device run may carry.
modules=java.base,java.logging,java.management,jdk.management,java.sql,jdk.incubator.vector
needed=$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
    out/device/*.jar out/device/lib/*.jar 2>/dev/null | tail -n 1)
for m in ${needed//,/ }; do
    case ",$modules," in *",$m,"*) ;; *) echo "jdeps needs module $m: add it to prepare-opencl-gpu.sh" >&2; exit 1 ;; esac
done
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output .jdk --strip-debug --no-header-files \
    --no-man-pages --compress=zip-9 --strip-native-debug-symbols=exclude-debuginfo-files
.jdk/bin/java -version 2>&1 | head -n 1
du -sh .jdk out/device
