package dev.klingbalances.security;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link ApiKeyAccessTest} (API keys, 401 problems, headers) with every request through the full chain. */
@WithoutFastPath
class ApiKeyAccessFullChainTest extends ApiKeyAccessTest {

}
