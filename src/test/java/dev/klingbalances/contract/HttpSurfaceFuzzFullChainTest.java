package dev.klingbalances.contract;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link HttpSurfaceFuzzTest} (the seeded fuzz of raw requests) with every request through the full chain. */
@WithoutFastPath
class HttpSurfaceFuzzFullChainTest extends HttpSurfaceFuzzTest {

}
