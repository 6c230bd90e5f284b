package dev.klingbalances.contract;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link HostileInputTest} (hostile paths, queries and headers) with every request through the full chain. */
@WithoutFastPath
class HostileInputFullChainTest extends HostileInputTest {

}
