package io.sluice.gateway.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the product jar ({@code target/sluice.jar}, built in the package phase) must not hold: test-rig classes, the
 * demo, Milo's server, C sources, or (when built for one platform) another platform's native libraries. Sizes are
 * figures for docs/BENCHMARKS.md ({@code test-rigs/bench footprint}), not checked here. {@code -Dsluice.product.jar=PATH}
 * checks another jar; after a {@code -Pdist} build the per-platform jars next to it are checked too.
 */
@Timeout(60)
class ProductJarIT {

    private static final List<String> NATIVE_SUFFIXES = List.of(".so", ".dll", ".dylib", ".jnilib", ".a");

    /** The product jar and, after a -Pdist build, the per-platform jars of the distributions. */
    static List<Path> jars() {
        Path jar = Path.of(System.getProperty("sluice.product.jar", "target/sluice.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the product jar is built in the package phase: " + jar);
        List<Path> jars = new ArrayList<>(List.of(jar));
        for (String platform : List.of("linux-x86_64", "linux-aarch_64", "windows-x86_64")) {
            Path dist = jar.resolveSibling("sluice-" + platform + ".jar");
            if (Files.isRegularFile(dist)) jars.add(dist);
        }
        return jars;
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }

    @ParameterizedTest
    @MethodSource("jars")
    void holdsNoTestRigNoDemoNoMiloServerAndNoCSource(Path jar) throws IOException {
        List<String> offending = new ArrayList<>();
        for (String name : entries(jar)) {
            if (name.startsWith("io/sluice/rigs/") || name.startsWith("io/sluice/demo/")
                    || name.startsWith("org/eclipse/milo/opcua/sdk/server/")
                    || name.endsWith(".c") || name.endsWith(".h")) {
                offending.add(name);
            }
        }
        assertEquals(List.of(), offending.stream().limit(20).toList(), jar + ": " + offending.size() + " entries that belong to tests or the demo");
    }

    @ParameterizedTest
    @MethodSource("jars")
    void holdsTheNativeLibrariesOfItsPlatformOnly(Path jar) throws IOException {
        String platform;
        try (JarFile file = new JarFile(jar.toFile())) {
            platform = file.getManifest().getMainAttributes().getValue("Sluice-Platform");
        }
        assertTrue(platform != null, "the manifest names the platform (Sluice-Platform)");
        List<String> natives = entries(jar).stream()
                .filter(n -> NATIVE_SUFFIXES.stream().anyMatch(n.toLowerCase(Locale.ROOT)::endsWith)).toList();
        assertTrue(natives.stream().anyMatch(n -> n.contains("sqlitejdbc")), "SQLite's native library: " + natives);
        if (platform.equals("all")) return; // a build machine no platform profile matches keeps every platform's
        List<String> allowed = switch (platform) {
            case "linux-x86_64" -> List.of("org/sqlite/native/Linux/x86_64/", "linux/x86_64/glibc/", "com/sun/jna/linux-x86-64/",
                    "linux-x86-64/");
            case "linux-aarch_64" -> List.of("org/sqlite/native/Linux/aarch64/", "linux/armv8/glibc/", "com/sun/jna/linux-aarch64/",
                    "linux-aarch64/");
            case "windows-x86_64" -> List.of("org/sqlite/native/Windows/x86_64/", "windows/x86_64/", "com/sun/jna/win32-x86-64/",
                    "win32-x86-64/");
            default -> throw new AssertionError("unknown platform " + platform);
        };
        List<String> foreign = natives.stream().filter(n -> allowed.stream().noneMatch(n::startsWith)).toList();
        assertEquals(List.of(), foreign, "native libraries of other platforms in the " + platform + " jar " + jar);
    }

    @ParameterizedTest
    @MethodSource("jars")
    void holdsTheOpcUaConnectorsTypeInitializersNotMilos(Path jar) throws IOException {
        for (String name : List.of("ObjectTypeInitializer", "VariableTypeInitializer")) {
            String entry = "org/eclipse/milo/opcua/sdk/client/model/" + name + ".class";
            byte[] connectors = null;
            for (URL url : Collections.list(ProductJarIT.class.getClassLoader().getResources(entry))) {
                if (url.toString().contains("milo-sdk-client")) continue;
                try (InputStream in = url.openStream()) {
                    connectors = in.readAllBytes();
                }
            }
            assertTrue(connectors != null, "connectors/opcua's " + entry + " is on the test class path");
            try (JarFile file = new JarFile(jar.toFile())) {
                ZipEntry inJar = file.getEntry(entry);
                assertTrue(inJar != null, jar + " holds " + entry);
                try (InputStream in = file.getInputStream(inJar)) {
                    assertArrayEquals(connectors, in.readAllBytes(), jar + ": " + entry + " is connectors/opcua's");
                }
            }
        }
    }
}
