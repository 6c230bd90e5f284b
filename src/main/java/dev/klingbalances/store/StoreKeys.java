package dev.klingbalances.store;

/**
 * The names of everything this service keeps in Redis, all behind one prefix
 * ({@code balances.store.key-prefix}), so several deployments can share one Redis and an
 * operator can tell its keys apart.
 */
record StoreKeys(String prefix) {

	/** A cache's shared entry: {@code <prefix>cache:<cache>:<key>}. */
	String entry(String cache, String key) {
		return this.prefix + "cache:" + cache + ":" + key;
	}

	/** The lease of one fetch: {@code <prefix>lease:<cache>:<key>}. */
	String lease(String cache, String key) {
		return this.prefix + "lease:" + cache + ":" + key;
	}

	/** The channel on which replicas announce the entries they wrote. */
	String written() {
		return this.prefix + "written";
	}

	/** Who is calling with a credential now: {@code <prefix>lane:<credential>:holder}. */
	String laneHolder(String credential) {
		return this.prefix + "lane:" + credential + ":holder";
	}

	/** When the next request with a credential may start (Redis time, microseconds). */
	String laneNext(String credential) {
		return this.prefix + "lane:" + credential + ":next";
	}

	/**
	 * Until when no lane may start a request (Redis time, microseconds): set when the lanes'
	 * keys are found gone, so requests that were in flight then end first.
	 */
	String laneEpoch() {
		return this.prefix + "lane-epoch";
	}

	/** The recorded samples of one account, a sorted set scored by time. */
	String history(String provider, String account) {
		return this.prefix + "history:" + provider + ":" + account;
	}

	/** The accounts of a provider that have a history, so removed ones can be dropped. */
	String historyAccounts(String provider) {
		return this.prefix + "history-accounts:" + provider;
	}

	/** The conditions a webhook was told are firing: a hash by condition id. */
	String firing(String webhook) {
		return this.prefix + "notify:firing:" + webhook;
	}

	/** The notices not yet delivered to a webhook, oldest first: a list of JSON notices. */
	String outbox(String webhook) {
		return this.prefix + "notify:outbox:" + webhook;
	}

	/** Since when each holding condition has held: a hash by condition id. */
	String holding() {
		return this.prefix + "notify:holding";
	}

	/** The registry key of the leader lock ({@code RedisLockRegistry}). */
	String leader() {
		return this.prefix + "leader";
	}

}
