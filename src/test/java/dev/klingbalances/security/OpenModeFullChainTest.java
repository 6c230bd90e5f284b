package dev.klingbalances.security;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link OpenModeTest} (mode=none) with every request through the full chain. */
@WithoutFastPath
class OpenModeFullChainTest extends OpenModeTest {

}
