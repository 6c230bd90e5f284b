package dev.klingbalances.contract;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link SecretLeakTest} (no secret in any answer or log line) with every request through the full chain. */
@WithoutFastPath
class SecretLeakFullChainTest extends SecretLeakTest {

}
