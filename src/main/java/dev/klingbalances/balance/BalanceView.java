package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.BalancesResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * An answer of {@code /balances} for one selection of providers, assembled once from the cache
 * and kept until something in it changes: an entry is published, a fetch starts or ends, or
 * time alone changes it ({@link #validUntil()}: an account goes stale, a grant expires). Serving
 * it costs no JSON work: the bytes and entity tag are made when it is built, only the
 * {@code generatedAt} timestamp is spliced in per request. Accounts' own answers are prepared on
 * first use.
 */
public final class BalanceView {

	private static final byte[] PREFIX = "{\"generatedAt\":null,".getBytes(StandardCharsets.US_ASCII);

	private final BalancesResponse response;

	private final PreparedJson<BalancesResponse> content;

	private final long version;

	private final Instant validUntil;

	private final Instant fetchDueAt;

	private final Map<String, AccountState> accounts;

	private final Map<String, PreparedJson<AccountBalance>> prepared = new ConcurrentHashMap<>();

	/**
	 * Answers of {@code /balances/next} kept per view, for different products and needs (formerly
	 * {@code balances.picker.cached-picks}): a bound on memory only, since a view is rebuilt
	 * whenever its figures change and consumers ask for few distinct needs; an answer beyond it is
	 * made again at each request, the same.
	 */
	static final int CACHED_PICKS = 64;

	/** Answers of {@code /balances/next} per product and need, made on first use (bounded). */
	private final Map<String, AccountPicker.Pick> picks = new ConcurrentHashMap<>();

	private final JsonMapper jsonMapper;

	/**
	 * @param response the answer; its {@code generatedAt} is when the view was built
	 * @param version the cache version the view was built from
	 * @param validUntil when time alone changes the content
	 * @param fetchDueAt when some account (or account list) of the view needs a fetch
	 * @param accounts per account: until when it needs no fetch (with its provider's list)
	 */
	BalanceView(BalancesResponse response, long version, Instant validUntil, Instant fetchDueAt,
			Map<String, AccountState> accounts, JsonMapper jsonMapper) {
		this.response = response;
		this.version = version;
		this.validUntil = validUntil;
		this.fetchDueAt = fetchDueAt;
		this.accounts = Map.copyOf(accounts);
		this.jsonMapper = jsonMapper;
		this.content = PreparedJson.of(response.withoutTimestamp(),
				response.providerErrors().isEmpty() ? cacheableUntil(response.accounts()) : null, jsonMapper);
		if (!Arrays.equals(this.content.bytes(), 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
			throw new IllegalStateException("BalancesResponse must serialize generatedAt first");
		}
	}

	/** The answer as a model (metrics, the status page, tests). */
	public BalancesResponse response() {
		return this.response;
	}

	/** Bytes without the timestamp, entity tag and freshness: what conditional requests compare. */
	public PreparedJson<BalancesResponse> content() {
		return this.content;
	}

	/** The answer's bytes with {@code generatedAt} set to {@code now}. */
	public byte[] body(Instant now) {
		byte[] stamp = ("{\"generatedAt\":\"" + now + "\",").getBytes(StandardCharsets.US_ASCII);
		byte[] bytes = this.content.bytes();
		byte[] body = new byte[stamp.length + bytes.length - PREFIX.length];
		System.arraycopy(stamp, 0, body, 0, stamp.length);
		System.arraycopy(bytes, PREFIX.length, body, stamp.length, bytes.length - PREFIX.length);
		return body;
	}

	/** One account of this view, as {@code /balances/{provider}/{account}} answers it, or null. */
	public @Nullable PreparedJson<AccountBalance> account(String provider, String account) {
		AccountState state = this.accounts.get(key(provider, account));
		if (state == null) {
			return null;
		}
		return this.prepared.computeIfAbsent(key(provider, account), (key) -> prepare(state.balance(), this.jsonMapper));
	}

	/** One account's answer, serialized. */
	static PreparedJson<AccountBalance> prepare(AccountBalance balance, JsonMapper jsonMapper) {
		return PreparedJson.of(balance, cacheableUntil(List.of(balance)), jsonMapper);
	}

	/**
	 * Clients may keep an answer while every account in it is fresh: until the earliest
	 * {@code freshUntil}; not at all (null) when an account is stale or failed, or there is none.
	 */
	private static @Nullable Instant cacheableUntil(List<AccountBalance> accounts) {
		Instant until = null;
		for (AccountBalance account : accounts) {
			if (account.stale() || account.error() != null || account.freshUntil() == null) {
				return null;
			}
			until = (until == null || account.freshUntil().isBefore(until)) ? account.freshUntil() : until;
		}
		return until;
	}

	/**
	 * The account to use next for a product and need, judged at the moment the view was built
	 * (the view is rebuilt when time alone changes the figures or their age). At most
	 * {@link #CACHED_PICKS} answers are kept with the view.
	 */
	AccountPicker.Pick pick(String product, BigDecimal need) {
		String key = product + '\u0000' + need.toPlainString();
		AccountPicker.Pick pick = this.picks.get(key);
		if (pick == null) {
			pick = AccountPicker.pick(this.response, product, need, this.response.generatedAt(),
					this.content.cacheableUntil(), this.jsonMapper);
			if (this.picks.size() < CACHED_PICKS) {
				this.picks.putIfAbsent(key, pick);
			}
		}
		return pick;
	}

	/** The model of one account of this view, or null. */
	public @Nullable AccountBalance accountBalance(String provider, String account) {
		AccountState state = this.accounts.get(key(provider, account));
		return (state != null) ? state.balance() : null;
	}

	long version() {
		return this.version;
	}

	Instant validUntil() {
		return this.validUntil;
	}

	/** Whether a request at {@code now} can be answered from this view without any fetch. */
	boolean servesWithoutFetch(Instant now) {
		return now.isBefore(this.fetchDueAt);
	}

	/** Whether a request for one account at {@code now} can be answered without any fetch. */
	boolean servesWithoutFetch(String provider, String account, Instant now) {
		AccountState state = this.accounts.get(key(provider, account));
		return state != null && now.isBefore(state.fetchDueAt());
	}

	static String key(String provider, String account) {
		return provider + '\u0000' + account;
	}

	/**
	 * @param balance the account as answered
	 * @param fetchDueAt when it (or its provider's account list) needs a fetch
	 */
	record AccountState(AccountBalance balance, Instant fetchDueAt) {
	}

}
