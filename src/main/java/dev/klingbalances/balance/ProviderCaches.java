package dev.klingbalances.balance;

import java.util.List;

import dev.klingbalances.cache.RefreshingCache;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;

/** A provider with its two caches: its account list (one key) and its accounts' snapshots. */
record ProviderCaches(BalanceProvider provider, RefreshingCache<List<String>> accounts,
		RefreshingCache<BalanceSnapshot> snapshots) {

	/** The one key of the account-list cache. */
	static final String ALL_ACCOUNTS = "*";

	String name() {
		return this.provider.name();
	}

	long version() {
		return this.accounts.version() + this.snapshots.version();
	}

}
