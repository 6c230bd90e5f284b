package dev.klingbalances.web;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link RequestObservationsTest} (http.server.requests and its consumer tag) with every request through the full chain. */
@WithoutFastPath
class RequestObservationsFullChainTest extends RequestObservationsTest {

}
