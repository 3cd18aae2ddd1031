// Image-build helper, run with the JRE's single-file source launcher (`java DjlWarmup.java`).
//
// 1. Starts DJL's PyTorch engine once, offline, so that DJL extracts libtorch and its JNI
//    library from the jars into $DJL_CACHE_DIR/pytorch/... exactly where it will look for them
//    at run time. Containers then start fast, need no network and no writable cache.
// 2. `--strip JAR`: rewrites the pytorch-native-cpu jar without its .so files (~110 MB
//    compressed), keeping native/lib/pytorch.properties, from which DJL still reads the
//    PyTorch version and flavor that name the cache folder.
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

public class DjlWarmup {
    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("--strip")) {
            strip(Path.of(args[1]));
            return;
        }
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = engine.newBaseManager()) {
            NDArray x = manager.ones(new Shape(4, 4));
            float sum = x.matMul(x).sum().getFloat();
            if (sum != 64f) {
                throw new IllegalStateException("PyTorch smoke matmul gave " + sum + ", expected 64");
            }
        }
        System.out.println("DJL " + Engine.getDjlVersion() + ", engine " + engine.getEngineName()
                + " " + engine.getVersion() + ": OK (cache " + System.getenv("DJL_CACHE_DIR") + ")");
    }

    private static void strip(Path jar) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        long dropped = 0;
        try (ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.matches(".*\\.so(\\.[0-9.]+)?")) {
                    dropped += entry.getSize();
                    continue;
                }
                out.putNextEntry(new ZipEntry(name));
                in.getInputStream(entry).transferTo(out);
                out.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("stripped %d MB of native libraries from %s%n", dropped >> 20, jar.getFileName());
    }
}
