package dev.panamacnn.core.exec;

/**
 * A unit of parallel work: {@code run(task, worker)} is called once for every task index in
 * {@code [0, count)}, on some worker. {@code worker} in {@code [0, threads)} identifies the
 * calling thread so it can use per-thread scratch memory.
 *
 * <p>Implementations are prepared once (at compile time) and reused, so running them allocates
 * nothing. A task must never depend on which worker runs it, so that results are identical for
 * any thread count.
 */
@FunctionalInterface
public interface ParallelTask {
    void run(int task, int worker);
}
