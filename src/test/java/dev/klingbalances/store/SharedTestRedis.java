package dev.klingbalances.store;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The shapes of Redis the store's tests run against, each started once for the whole test run
 * and shared by every test class that asks for it (a cluster takes a few seconds to form); each
 * test keeps to its own key prefix. Registered as an extension, it stops them when the run ends.
 * <p>
 * Use with {@code @ParameterizedClass @EnumSource(SharedTestRedis.class)} and
 * {@code @ExtendWith(SharedTestRedis.Lifecycle.class)}, as {@link TwoPodsOnOneRedis} does.
 */
enum SharedTestRedis {

	/** One server, as most deployments run it. */
	STANDALONE(RedisTestContainer::started),

	/** Three masters in cluster mode, as managed Redis often is. */
	CLUSTER(RedisTestCluster::started);

	private static final Map<SharedTestRedis, TestRedis> started = new EnumMap<>(SharedTestRedis.class);

	private final Supplier<TestRedis> starter;

	SharedTestRedis(Supplier<TestRedis> starter) {
		this.starter = starter;
	}

	/** This shape's Redis, started by the first test that asks (without Docker: see {@link RedisTestContainer#requireDocker()}). */
	TestRedis server() {
		synchronized (started) {
			return started.computeIfAbsent(this, (shape) -> this.starter.get());
		}
	}

	/** A Redis of this shape of the caller's own (one it may stop), started; the caller closes it. */
	TestRedis startNew() {
		return this.starter.get();
	}

	/** Stops every shared Redis once the whole run (the root context) is over. */
	static final class Lifecycle implements BeforeAllCallback {

		@Override
		public void beforeAll(ExtensionContext context) {
			context.getRoot()
				.getStore(ExtensionContext.Namespace.create(SharedTestRedis.class))
				.computeIfAbsent("stop", (key) -> (AutoCloseable) SharedTestRedis::stopAll);
		}

	}

	private static void stopAll() {
		synchronized (started) {
			started.values().forEach(TestRedis::close);
			started.clear();
		}
	}

}
