package io.moe4j.jmh;

import io.moe4j.gguf.GgmlType;
import io.moe4j.tensor.ComputePool;
import io.moe4j.tensor.Matmul;
import io.moe4j.tensor.WeightMatrix;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * {@link Matmul#apply} on one weight matrix, per weight type: batch 1 is a decode step (one token, bound by
 * how fast weights stream from memory), batch 32 a prefill step (each weight row decoded once and used 32
 * times, bound by arithmetic). Besides matmuls per second, the secondary result {@code weightGB} is the weight
 * bandwidth in GB/s: each operation reads the whole matrix once, {@code rows × type.byteSize(cols)} bytes.
 *
 * <p>The default matrix is 8192 × 4096, larger than the last-level caches of most machines, so that batch-1
 * results measure memory bandwidth rather than cache bandwidth; override with {@code -p rows=... -p cols=...}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// the JVM settings of the ./moe4j launcher, which explains them; its JIT options from the same argument file
// (jit.options, read from the folder JMH is started in: the repository's root, as docs/jmh.md runs it)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
        "-Xms1g", "-XX:+AlwaysPreTouch", "@jit.options"})
@State(Scope.Benchmark)
public class MatmulBenchmark {

    @Param({"F16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q6_K"})
    public String type;

    @Param({"1", "32"})
    public int batch;

    @Param({"8192"})
    public int rows;

    @Param({"4096"})
    public int cols;

    /**
     * Whether decode reads a row-grouped copy (Q4_0, Q5_0, Q8_0, Q4_K, Q6_K; the engine's default, {@code --no-repack} turns it
     * off) or the file's layout.
     */
    @Param({"true", "false"})
    public boolean repack;

    /** Compute threads; 0 means one per core. */
    @Param({"0"})
    public int threads;

    private Arena arena;
    private ComputePool pool;
    private WeightMatrix weights;
    private float[][] x;
    private float[][] out;
    private double gigabytesPerOp;

    /** Gigabytes of weights read; an OPERATIONS counter, so JMH reports it per second: GB/s. Per thread, as JMH requires. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        public double weightGB;

        @Setup(Level.Iteration)
        public void reset() {
            weightGB = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        weights = RandomMatrices.weights(arena, GgmlType.valueOf(type), rows, cols, 1, repack);
        x = RandomMatrices.activations(batch, cols, 2);
        out = new float[batch][rows];
        pool = new ComputePool(threads == 0 ? ComputePool.defaultThreads() : threads);
        gigabytesPerOp = weights.byteSize() / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[][] matmul(Traffic traffic) {
        Matmul.apply(pool, weights, x, 0, out, 0);
        traffic.weightGB += gigabytesPerOp;
        return out;
    }
}
