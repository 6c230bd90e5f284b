package dev.klingbalances.store;

/**
 * The names of everything this service keeps in Redis, all behind one prefix
 * ({@code balances.store.key-prefix}), so several deployments can share one Redis and an
 * operator can tell its keys apart.
 * <p>
 * On a Redis Cluster a script may only touch keys of one hash slot. The lane scripts read a
 * credential's holder and next start together with the deployment's lane epoch, so every lane
 * key carries the hash tag {@code {lanes}} (only the part in braces chooses the slot): all lanes
 * of every deployment live in one slot, which is plenty for a few calls a second. A webhook's
 * firing hash and outbox share the webhook's name as their tag. Every other script touches one
 * key. The prefix has no braces ({@link StoreProperties}), so it never
 * becomes the tag itself.
 */
record StoreKeys(String prefix) {

	/** The hash tag of the lane keys: one Redis Cluster slot for the lane scripts' keys. */
	private static final String LANES_TAG = "{lanes}";

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

	/** Who is calling with a credential now: {@code <prefix>{lanes}:<credential>:holder}. */
	String laneHolder(String credential) {
		return this.prefix + LANES_TAG + ":" + credential + ":holder";
	}

	/** When the next request with a credential may start (Redis time, microseconds). */
	String laneNext(String credential) {
		return this.prefix + LANES_TAG + ":" + credential + ":next";
	}

	/**
	 * Until when no lane may start a request (Redis time, microseconds): set when the lanes'
	 * keys are found gone, so requests that were in flight then end first.
	 */
	String laneEpoch() {
		return this.prefix + LANES_TAG + "-epoch";
	}

	/** The recorded samples of one account, a sorted set scored by time. */
	String history(String provider, String account) {
		return this.prefix + "history:" + provider + ":" + account;
	}

	/** The conditions a webhook was told are firing: a hash by condition id. */
	String firing(String webhook) {
		return this.prefix + "notify:firing:" + webhookTag(webhook);
	}

	/** The notices not yet delivered to a webhook, oldest first: a list of JSON notices. */
	String outbox(String webhook) {
		return this.prefix + "notify:outbox:" + webhookTag(webhook);
	}

	/**
	 * The webhook's name as a hash tag: a transition and its notice are recorded by one script
	 * over the webhook's firing hash and outbox, so both live in one slot (webhook names have no
	 * braces, see {@code NotifyProperties}).
	 */
	private static String webhookTag(String webhook) {
		return "{" + webhook + "}";
	}

	/** Since when each holding condition has held: a hash by condition id. */
	String holding() {
		return this.prefix + "notify:holding";
	}

	/** One consumer's request budget across the replicas: a hash (period start, requests taken). */
	String consumerBudget(String consumer) {
		return this.prefix + "consumer-budget:" + consumer;
	}

	/** The registry key of the leader lock ({@code RedisLockRegistry}). */
	String leader() {
		return this.prefix + "leader";
	}

}
