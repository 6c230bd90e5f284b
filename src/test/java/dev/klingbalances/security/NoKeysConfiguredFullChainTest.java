package dev.klingbalances.security;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link NoKeysConfiguredTest} (api-key mode without keys) with every request through the full chain. */
@WithoutFastPath
class NoKeysConfiguredFullChainTest extends NoKeysConfiguredTest {

}
