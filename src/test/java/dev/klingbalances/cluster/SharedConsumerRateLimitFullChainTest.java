package dev.klingbalances.cluster;

/** {@link SharedConsumerRateLimitTest} (one budget across replicas) with every request through the full chain. */
class SharedConsumerRateLimitFullChainTest extends SharedConsumerRateLimitTest {

	@Override
	boolean fastPath() {
		return false;
	}

}
