package dev.klingbalances.contract;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link ScopedKeysTest} (keys scoped to accounts) with every request through the full chain. */
@WithoutFastPath
class ScopedKeysFullChainTest extends ScopedKeysTest {

}
