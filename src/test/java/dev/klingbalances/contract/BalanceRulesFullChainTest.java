package dev.klingbalances.contract;

import dev.klingbalances.fastpath.WithoutFastPath;

/** {@link BalanceRulesTest} (the rules real answers follow) with every request through the full chain. */
@WithoutFastPath
class BalanceRulesFullChainTest extends BalanceRulesTest {

}
