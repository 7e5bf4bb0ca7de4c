import java.io.BufferedInputStream;
import java.io.ObjectInputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The map probe's read, then each live thread's CPU (name, then nanoseconds on CPU from
 * /proc/self/task/TID/schedstat), one line each, for bench/thread-cpu.py. Threads that have
 * exited (the agent's first-stream worker) are not listed.
 */
public class ThreadsProbe {
    public static void main(String[] args) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(Path.of(args[0]))))) {
            Map<?, ?> map = (Map<?, ?>) in.readObject();
            if (map.size() != 6) {
                throw new IllegalStateException("read " + map);
            }
        }
        StringBuilder out = new StringBuilder();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String name = Files.readString(task.resolve("comm")).trim().replace(' ', '_');
                String onCpu = Files.readString(task.resolve("schedstat")).trim().split(" ")[0];
                out.append(name).append('\t').append(onCpu).append('\n');
            }
        }
        System.out.print(out);
    }
}
