package dev.klingbalances.security;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link ConsumerRateLimitTest} (per-consumer rate limits, 429 problems) with every request through the full chain. */
@WithoutFastPath
class ConsumerRateLimitFullChainTest extends ConsumerRateLimitTest {

}
