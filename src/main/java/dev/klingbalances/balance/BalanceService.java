package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Service;

/**
 * Assembles {@code /balances}: asks every provider for its accounts and every account for its
 * snapshot through the {@link RefreshingCache}s, waits at most for the deadline, and reports
 * what it has: fresh figures, stale figures with the reason, or the error alone. Never a zero
 * for a failure.
 */
@Service
public class BalanceService {

	private static final String ALL_ACCOUNTS = "*";

	private final Map<String, ProviderCaches> providers;

	private final BalancesProperties properties;

	private final Clock clock;

	public BalanceService(List<BalanceProvider> providers, BalancesProperties properties, Clock clock,
			MeterRegistry meterRegistry) {
		this.properties = properties;
		this.clock = clock;
		Map<String, ProviderCaches> byName = new LinkedHashMap<>();
		providers.stream().sorted(Comparator.comparing(BalanceProvider::name)).forEach((provider) -> {
			ProviderCaches caches = new ProviderCaches(provider,
					new RefreshingCache<>("accounts." + provider.name(), (all) -> provider.accounts(),
							provider.cacheTtl(), properties.cache(), clock, meterRegistry),
					new RefreshingCache<>("balances." + provider.name(), provider::fetch, provider.cacheTtl(),
							properties.cache(), clock, meterRegistry));
			if (byName.putIfAbsent(provider.name(), caches) != null) {
				throw new IllegalStateException("Two balance providers are named '" + provider.name() + "'");
			}
		});
		this.providers = Map.copyOf(byName);
	}

	/** Names of the registered providers, sorted. */
	public List<String> providerNames() {
		return this.providers.keySet().stream().sorted().toList();
	}

	/** Every cache this service keeps, for Actuator and metrics. */
	public List<RefreshingCache<String, ?>> caches() {
		return this.providers.values()
			.stream()
			.sorted(Comparator.comparing((caches) -> caches.provider().name()))
			.flatMap((caches) -> Stream.<RefreshingCache<String, ?>>of(caches.accounts(), caches.snapshots()))
			.toList();
	}

	/**
	 * Balances of every account of the given providers.
	 * @param providerNames providers to include (all when empty); must be registered names
	 * @param refresh fetch from the upstreams even when the cached figures are fresh
	 */
	public BalancesResponse balances(Collection<String> providerNames, boolean refresh) {
		long deadline = deadline();
		List<ProviderCaches> selected = this.providers.values()
			.stream()
			.filter((caches) -> providerNames.isEmpty() || providerNames.contains(caches.provider().name()))
			.sorted(Comparator.comparing((caches) -> caches.provider().name()))
			.toList();

		Map<ProviderCaches, CompletableFuture<CachedValue<List<String>>>> lists = new LinkedHashMap<>();
		selected.forEach((caches) -> lists.put(caches, caches.accounts().get(ALL_ACCOUNTS, refresh)));
		awaitUntil(lists.values(), deadline);

		List<ProviderError> providerErrors = new ArrayList<>();
		Map<ProviderCaches, Map<String, CompletableFuture<CachedValue<BalanceSnapshot>>>> fetches = new LinkedHashMap<>();
		lists.forEach((caches, list) -> {
			AccountList accounts = accountList(caches, list);
			if (accounts.error() != null) {
				providerErrors.add(new ProviderError(caches.provider().name(), accounts.error()));
			}
			Map<String, CompletableFuture<CachedValue<BalanceSnapshot>>> perAccount = new LinkedHashMap<>();
			accounts.names().stream().sorted().forEach((account) -> perAccount.put(account, caches.snapshots().get(account, refresh)));
			fetches.put(caches, perAccount);
		});
		awaitUntil(fetches.values().stream().flatMap((perAccount) -> perAccount.values().stream()).toList(), deadline);

		Instant now = this.clock.instant();
		List<AccountBalance> accounts = new ArrayList<>();
		List<ProviderTotal> totals = new ArrayList<>();
		fetches.forEach((caches, perAccount) -> {
			List<AccountBalance> ofProvider = perAccount.entrySet()
				.stream()
				.map((fetch) -> toAccountBalance(caches, fetch.getKey(), fetch.getValue(), now))
				.toList();
			accounts.addAll(ofProvider);
			boolean listed = providerErrors.stream().noneMatch((error) -> error.provider().equals(caches.provider().name()));
			totals.add(total(caches.provider(), ofProvider, listed));
		});
		boolean complete = providerErrors.isEmpty() && accounts.stream().allMatch((account) -> account.error() == null);
		return new BalancesResponse(now, complete, List.copyOf(accounts), List.copyOf(totals), List.copyOf(providerErrors));
	}

	/**
	 * One account's balance.
	 * @throws UnknownResourceException when the provider or the account is not known
	 * @throws AccountListUnavailableException when the provider's account list cannot be read
	 */
	public AccountBalance balance(String providerName, String account, boolean refresh) {
		ProviderCaches caches = this.providers.get(providerName);
		if (caches == null) {
			throw new UnknownResourceException("No provider named '" + providerName + "'.");
		}
		long deadline = deadline();
		CompletableFuture<CachedValue<List<String>>> list = caches.accounts().get(ALL_ACCOUNTS, refresh);
		awaitUntil(List.of(list), deadline);
		AccountList accounts = accountList(caches, list);
		if (!accounts.names().contains(account)) {
			if (accounts.error() != null && accounts.names().isEmpty()) {
				throw new AccountListUnavailableException(providerName, accounts.error());
			}
			throw new UnknownResourceException("Provider '" + providerName + "' has no account with that name.");
		}
		CompletableFuture<CachedValue<BalanceSnapshot>> fetch = caches.snapshots().get(account, refresh);
		awaitUntil(List.of(fetch), deadline);
		return toAccountBalance(caches, account, fetch, this.clock.instant());
	}

	/** Starts a fetch of every account of every provider without waiting (start-up warm-up). */
	public void warmUp() {
		this.providers.values()
			.forEach((caches) -> caches.accounts()
				.prefetch(ALL_ACCOUNTS)
				.thenAccept((list) -> {
					List<String> names = list.value();
					if (names != null) {
						names.forEach(caches.snapshots()::prefetch);
					}
				}));
	}

	/** Refreshes ahead whatever is being asked for and about to go stale. */
	public void refreshAhead() {
		this.providers.values().forEach((caches) -> {
			caches.accounts().refreshAhead();
			caches.snapshots().refreshAhead();
		});
	}

	private AccountList accountList(ProviderCaches caches, CompletableFuture<CachedValue<List<String>>> list) {
		Instant now = this.clock.instant();
		CachedValue<List<String>> entry = list.isDone() ? list.join() : caches.accounts().peek(ALL_ACCOUNTS);
		List<String> names = (entry != null) ? entry.servableValue(now, this.properties.cache().maxStale()) : null;
		AccountError error = (entry != null) ? entry.error() : null;
		if (!list.isDone() && error == null) {
			error = new AccountError(ErrorCode.PENDING,
					"The account list was still loading at the response deadline; it fills in shortly.", null, now);
		}
		return new AccountList((names != null) ? names : List.of(), error);
	}

	private AccountBalance toAccountBalance(ProviderCaches caches, String account,
			CompletableFuture<CachedValue<BalanceSnapshot>> fetch, Instant now) {
		BalanceProvider provider = caches.provider();
		RefreshingCache<String, BalanceSnapshot> snapshots = caches.snapshots();
		CachedValue<BalanceSnapshot> entry = fetch.isDone() ? fetch.join() : snapshots.peek(account);
		BalanceSnapshot snapshot = (entry != null) ? entry.servableValue(now, this.properties.cache().maxStale())
				: null;
		AccountError error = (entry != null) ? entry.error() : null;
		boolean current = snapshot != null && !entry.isStale(now, snapshots.ttl());
		if (!fetch.isDone() && error == null && !current) {
			error = new AccountError(ErrorCode.PENDING, (snapshot != null)
					? "A refresh was still running at the response deadline; the last good figures are shown."
					: "The first fetch was still running at the response deadline; figures follow shortly.", null, now);
		}
		if (snapshot == null) {
			return new AccountBalance(provider.name(), account, provider.unit(), null, null, List.of(), Map.of(), null,
					null, false, provider.dataDelay(), null, error);
		}
		List<Grant> active = snapshot.grants().stream().filter((grant) -> grant.status() == GrantStatus.ACTIVE).toList();
		BigDecimal remaining = sum(active.stream().map(Grant::remaining).toList());
		BigDecimal total = sum(active.stream().map(Grant::total).toList());
		boolean stale = error != null || entry.isStale(now, snapshots.ttl());
		Instant freshUntil = Objects.requireNonNull(entry.fetchedAt()).plus(snapshots.ttl());
		return new AccountBalance(provider.name(), account, provider.unit(), remaining, total, snapshot.grants(),
				snapshot.details(), entry.fetchedAt(), freshUntil, stale, provider.dataDelay(),
				remark(snapshot, active, remaining), error);
	}

	private static @Nullable String remark(BalanceSnapshot snapshot, List<Grant> active, @Nullable BigDecimal remaining) {
		if (snapshot.grants().isEmpty()) {
			return "The upstream reports no grants on this account (for Kling: no resource packs, e.g. pay-as-you-go).";
		}
		if (active.isEmpty()) {
			return "None of this account's grants is active: they are expired, used up or not yet effective.";
		}
		if (remaining == null) {
			return "An active grant has no reported quantity, so the account's remaining capacity is unknown.";
		}
		return null;
	}

	/** Sum of the quantities, or null when any is unknown: an unknown never counts as zero. */
	private static @Nullable BigDecimal sum(List<@Nullable BigDecimal> quantities) {
		BigDecimal sum = BigDecimal.ZERO;
		for (BigDecimal quantity : quantities) {
			if (quantity == null) {
				return null;
			}
			sum = sum.add(quantity);
		}
		return sum;
	}

	/**
	 * @param listed false when the provider's account list could not be read (or is still
	 * loading): accounts may be missing, so the sum cannot be complete
	 */
	private static ProviderTotal total(BalanceProvider provider, List<AccountBalance> accounts, boolean listed) {
		List<AccountBalance> known = accounts.stream()
			.filter((account) -> account.remaining() != null && account.total() != null)
			.toList();
		boolean complete = listed && known.size() == accounts.size();
		if (known.isEmpty() && !complete) {
			// Nothing is known: a sum of nothing would read as a zero balance.
			return new ProviderTotal(provider.name(), provider.unit(), null, null, 0, false, false);
		}
		BigDecimal remaining = known.stream().map(AccountBalance::remaining).reduce(BigDecimal.ZERO, BigDecimal::add);
		BigDecimal total = known.stream().map(AccountBalance::total).reduce(BigDecimal.ZERO, BigDecimal::add);
		return new ProviderTotal(provider.name(), provider.unit(), remaining, total, known.size(), complete,
				known.stream().anyMatch(AccountBalance::stale));
	}

	/** The response deadline on the monotonic clock: waiting is real time, whatever the logical clock says. */
	private long deadline() {
		return System.nanoTime() + this.properties.deadline().toNanos();
	}

	private static void awaitUntil(Collection<? extends CompletableFuture<?>> futures, long deadline) {
		if (futures.isEmpty()) {
			return;
		}
		long waitNanos = deadline - System.nanoTime();
		try {
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(Math.max(waitNanos, 0), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			// Answer with what is there; the fetches go on and fill the cache for the next caller.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			// Cache futures never fail; nothing to add.
		}
	}

	private record ProviderCaches(BalanceProvider provider, RefreshingCache<String, List<String>> accounts,
			RefreshingCache<String, BalanceSnapshot> snapshots) {
	}

	private record AccountList(List<String> names, @Nullable AccountError error) {
	}

}
