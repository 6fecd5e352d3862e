import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Two builds of the engine in one process, each in a class loader of its own with its own model and pool, decoding
 * (or prefilling) in windows that alternate between them. On a shared VM whose speed drifts by 10-30% within minutes,
 * separate processes of two builds scatter more than most changes move; windows side by side in one process see the
 * same machine. Prints each build's median over the second half of the windows and the median ratio per round.
 *
 * <p>Usage (see ab-builds.sh): {@code AbBuilds CLASSES_A CLASSES_B MODEL ROUNDS [TOKENS [PREFILL]]}: TOKENS decode
 * steps per window (default 100), or with PREFILL > 0 one prefill of that many tokens per window.
 */
public final class AbBuilds {
    private static final class Build {
        final Object session;
        final Method feed;
        final Method reset;
        final List<Double> speeds = new ArrayList<>();

        Build(String classes, Path model, int context) throws Exception {
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(classes).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Object m = loader.loadClass("io.moe4j.model.Architectures").getMethod("load", Path.class).invoke(null, model);
            Class<?> poolClass = loader.loadClass("io.moe4j.tensor.ComputePool");
            Object pool = poolClass.getConstructor(int.class).newInstance(2);
            Class<?> sessionClass = loader.loadClass("io.moe4j.generate.Session");
            session = sessionClass.getConstructor(loader.loadClass("io.moe4j.model.MoeModel"), poolClass, int.class).newInstance(m, pool, context);
            feed = sessionClass.getMethod("feed", int[].class);
            reset = sessionClass.getMethod("reset");
        }

        /** Tokens per second of one window. */
        double window(int tokens, int prefill, int seed) throws Exception {
            reset.invoke(session);
            if (prefill > 0) {
                int[] prompt = new int[prefill];
                for (int i = 0; i < prefill; i++) {
                    prompt[i] = (i * 31 + seed) % 1000;
                }
                long start = System.nanoTime();
                feed.invoke(session, (Object) prompt);
                return prefill * 1e9 / (System.nanoTime() - start);
            }
            int[] one = new int[1];
            long start = System.nanoTime();
            for (int t = 0; t < tokens; t++) {
                one[0] = (t * 97 + seed) % 1000;
                feed.invoke(session, (Object) one);
            }
            return tokens * 1e9 / (System.nanoTime() - start);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[3]);
        int tokens = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int prefill = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        int context = Math.max(tokens, prefill) + 1;
        Build a = new Build(args[0], Path.of(args[2]), context);
        Build b = new Build(args[1], Path.of(args[2]), context);
        for (int r = 0; r < rounds; r++) {
            Build first = r % 2 == 0 ? a : b;
            Build second = first == a ? b : a;
            first.speeds.add(first.window(tokens, prefill, r));
            second.speeds.add(second.window(tokens, prefill, r));
        }
        int from = rounds / 2; // the first half warms the JIT up
        List<Double> ratios = new ArrayList<>();
        for (int r = from; r < rounds; r++) {
            ratios.add(b.speeds.get(r) / a.speeds.get(r));
        }
        Collections.sort(ratios);
        for (String name : List.of("A", "B")) {
            List<Double> s = new ArrayList<>((name.equals("A") ? a : b).speeds.subList(from, rounds));
            Collections.sort(s);
            System.out.printf("%s: median %.1f tok/s over the last %d windows%n", name, s.get(s.size() / 2), s.size());
        }
        System.out.printf("B/A, window by window: median %.3f, quartiles %.3f-%.3f%n",
                ratios.get(ratios.size() / 2), ratios.get(ratios.size() / 4), ratios.get(3 * ratios.size() / 4));
        System.exit(0); // the pools' threads
    }
}
