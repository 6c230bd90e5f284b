package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.klingbalances.cache.CacheSettings;
import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.RefreshingCache;
import dev.klingbalances.cache.SharedStore;
import dev.klingbalances.forecast.AccountHistory;
import dev.klingbalances.forecast.BalanceHistory;
import dev.klingbalances.forecast.Forecaster;
import dev.klingbalances.forecast.HistoryStore;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.Decimals;
import dev.klingbalances.model.ProviderError;
import dev.klingbalances.provider.AccountListUnavailableException;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;

/**
 * Serves {@code /balances}. A request whose accounts are all fresh is answered from a
 * {@link BalanceView} built once from the cache; otherwise it asks every selected provider for
 * its accounts and every account for its snapshot through the {@link RefreshingCache}s, waits
 * at most for the deadline, and answers from a view rebuilt with what is there. Also runs the
 * warm-up and the background sweep that keeps accounts fresh.
 */
@Service
public class BalanceService {

	private final Map<String, ProviderCaches> providers;

	private final BalancesProperties properties;

	private final Clock clock;

	private final ViewAssembler assembler;

	private final BalanceHistory history;

	/** The type of an account list, for a shared store to read it back. */
	private static final TypeReference<List<String>> ACCOUNT_LIST = new TypeReference<>() {
	};

	/** One slot per selection of providers ("" = all): its current view and whether it was asked for. */
	private final Map<String, Slot> slots = new ConcurrentHashMap<>();

	/**
	 * @param sharedStore the store the replicas share, or null when this process is the only one
	 */
	public BalanceService(List<BalanceProvider> providers, BalancesProperties properties, Clock clock,
			MeterRegistry meterRegistry, JsonMapper jsonMapper, HistoryStore historyStore,
			@Nullable SharedStore sharedStore) {
		this.properties = properties;
		this.clock = clock;
		this.history = new BalanceHistory(historyStore, properties.forecast(), clock);
		this.assembler = new ViewAssembler(properties, clock, jsonMapper, this.history,
				new Forecaster(properties.forecast()));
		Map<String, ProviderCaches> byName = new LinkedHashMap<>();
		providers.stream().sorted(Comparator.comparing(BalanceProvider::name)).forEach((provider) -> {
			String accounts = "accounts." + provider.name();
			String balances = "balances." + provider.name();
			ProviderCaches caches = new ProviderCaches(provider,
					// The last good list is kept however long the list cannot be read (see servableNames).
					new RefreshingCache<>(accounts, (all) -> provider.accounts(), provider.cacheTtl(), properties.cache(),
							clock, meterRegistry,
							(sharedStore != null) ? sharedStore.entries(accounts, ACCOUNT_LIST.getType()) : null, null),
					new RefreshingCache<>(balances, provider::fetch, provider.cacheTtl(), properties.cache(), clock,
							meterRegistry,
							(sharedStore != null) ? sharedStore.entries(balances, BalanceSnapshot.class) : null));
			caches.snapshots().listen((account, previous, next) -> this.history.record(provider.name(), account, previous, next));
			if (byName.putIfAbsent(provider.name(), caches) != null) {
				throw new IllegalStateException("Two balance providers are named '" + provider.name() + "'");
			}
		});
		this.providers = byName;
	}

	/** Names of the registered providers, sorted. */
	public List<String> providerNames() {
		return List.copyOf(this.providers.keySet());
	}

	/** Every product some provider's grants can be of: what {@code ?product=} accepts, sorted. */
	public List<String> productNames() {
		return this.providers.values()
			.stream()
			.flatMap((caches) -> caches.provider().products().stream())
			.distinct()
			.sorted()
			.toList();
	}

	/** Every cache this service keeps, for Actuator and metrics. */
	public List<RefreshingCache<?>> caches() {
		return this.providers.values()
			.stream()
			.flatMap((caches) -> Stream.<RefreshingCache<?>>of(caches.accounts(), caches.snapshots()))
			.toList();
	}

	/**
	 * Balances of every account of the given providers.
	 * @param providerNames providers to include (all when empty); must be registered names
	 * @param refresh fetch from the upstreams even when the cached figures are fresh
	 */
	public BalanceView balances(Collection<String> providerNames, boolean refresh) {
		return balances(providerNames, null, refresh);
	}

	/**
	 * Balances of the accounts of the given providers that hold a product, with its totals only.
	 * @param providerNames providers to include (all when empty); must be registered names
	 * @param product one of {@link #productNames()}, or null for every product
	 * @param refresh fetch from the upstreams even when the cached figures are fresh
	 */
	public BalanceView balances(Collection<String> providerNames, @Nullable String product, boolean refresh) {
		return balances(providerNames, product, refresh, AccountScope.ALL);
	}

	/**
	 * Balances of the accounts in a consumer's scope: accounts, totals and {@code complete} over
	 * them alone, prepared once per scope; accounts outside it are neither shown nor fetched.
	 * @param providerNames providers to include (all when empty); must be registered names
	 * @param product one of {@link #productNames()}, or null for every product
	 * @param refresh fetch from the upstreams even when the cached figures are fresh
	 * @param scope the accounts the consumer may see
	 */
	public BalanceView balances(Collection<String> providerNames, @Nullable String product, boolean refresh,
			AccountScope scope) {
		Slot slot = slot(providerNames, product, scope);
		BalanceView view = prepared(slot);
		if (!refresh && view != null) {
			return view;
		}
		long deadline = deadline();
		Map<ProviderCaches, CompletableFuture<CachedValue<List<String>>>> lists = new LinkedHashMap<>();
		slot.selected.forEach((caches) -> lists.put(caches, caches.accounts().get(ProviderCaches.ALL_ACCOUNTS, refresh)));
		awaitUntil(lists.values(), deadline);
		List<CompletableFuture<?>> fetches = lists.entrySet().stream().flatMap((list) -> {
			ProviderCaches caches = list.getKey();
			return servableNames(caches, list.getValue()).stream()
				.filter((account) -> scope.includes(caches.name(), account))
				.map((account) -> caches.snapshots().get(account, refresh));
		}).<CompletableFuture<?>>map((future) -> future).toList();
		awaitUntil(fetches, deadline);
		return current(slot);
	}

	/**
	 * The answer {@link #balances(Collection, String, boolean, AccountScope)} gives without a
	 * refresh when it needs no fetch, or null when it would fetch: for answering cached reads
	 * without the rest of the web stack.
	 */
	public @Nullable BalanceView prepared(Collection<String> providerNames, @Nullable String product,
			AccountScope scope) {
		return prepared(slot(providerNames, product, scope));
	}

	private @Nullable BalanceView prepared(Slot slot) {
		slot.asked = true;
		BalanceView view = current(slot);
		return view.servesWithoutFetch(this.clock.instant()) ? view : null;
	}

	/**
	 * The account to spend next for a product, from the cache only: never fetches (accounts
	 * asked for this way are kept warm by the sweep like any other).
	 * @param providerNames providers to choose from (all when empty); must be registered names
	 * @param product one of {@link #productNames()}
	 * @param need capacity the job needs, in the product's unit, greater than 0
	 * @param scope the accounts the consumer may see: the only ones considered
	 */
	AccountPicker.Pick next(Collection<String> providerNames, String product, BigDecimal need, AccountScope scope) {
		Slot slot = slot(providerNames, product, scope);
		slot.asked = true;
		// One form per value ("20", "20.0" and "2E+1" share an answer), never in exponent notation.
		return current(slot).pick(product, Decimals.plain(need));
	}

	/**
	 * One account's balance, from the provider's view.
	 * @throws UnknownResourceException when the provider or the account is not known
	 * @throws AccountListUnavailableException when the provider's account list cannot be read
	 */
	public PreparedJson<AccountBalance> balance(String providerName, String account, boolean refresh) {
		return balance(providerName, account, refresh, AccountScope.ALL);
	}

	/**
	 * One account's balance, when it is in the consumer's scope; outside it, exactly the answer
	 * for an account that does not exist, without fetching anything.
	 * @throws UnknownResourceException when the provider or the account is not known (or not in scope)
	 * @throws AccountListUnavailableException when the provider's account list cannot be read
	 */
	public PreparedJson<AccountBalance> balance(String providerName, String account, boolean refresh,
			AccountScope scope) {
		ProviderCaches caches = known(providerName, account, scope);
		PreparedJson<AccountBalance> prepared = refresh ? null : prepared(caches, account);
		if (prepared != null) {
			return prepared;
		}
		Slot slot = slot(List.of(providerName));
		long deadline = deadline();
		CompletableFuture<CachedValue<List<String>>> list = caches.accounts().get(ProviderCaches.ALL_ACCOUNTS, refresh);
		awaitUntil(List.of(list), deadline);
		if (servableNames(caches, list).contains(account)) {
			awaitUntil(List.of(caches.snapshots().get(account, refresh)), deadline);
		}
		BalanceView view = current(slot);
		PreparedJson<AccountBalance> answer = view.account(providerName, account);
		if (answer != null) {
			return answer;
		}
		ProviderError listError = view.response()
			.providerErrors()
			.stream()
			.filter((error) -> error.provider().equals(providerName))
			.findFirst()
			.orElse(null);
		if (listError != null && view.response().accounts().isEmpty()) {
			throw new AccountListUnavailableException(providerName, listError.error());
		}
		throw noSuchAccount(providerName);
	}

	/**
	 * The answer {@link #balance(String, String, boolean, AccountScope)} gives without a refresh
	 * when it needs no fetch, or null when it would fetch or answer with an error (an unknown
	 * provider or account, one outside the scope).
	 */
	public @Nullable PreparedJson<AccountBalance> preparedBalance(String providerName, String account,
			AccountScope scope) {
		ProviderCaches caches = this.providers.get(providerName);
		return (caches != null && scope.includes(providerName, account)) ? prepared(caches, account) : null;
	}

	private @Nullable PreparedJson<AccountBalance> prepared(ProviderCaches caches, String account) {
		BalanceView view = current(slot(List.of(caches.name())));
		if (!view.servesWithoutFetch(caches.name(), account, this.clock.instant())) {
			return null;
		}
		// A known account (it is in the view): it counts as asked for, as a fetch through the cache would.
		caches.snapshots().touch(List.of(account));
		return view.account(caches.name(), account);
	}

	/** The provider's caches; an unknown provider, or an account outside the scope, is not found. */
	private ProviderCaches known(String providerName, String account, AccountScope scope) {
		ProviderCaches caches = this.providers.get(providerName);
		if (caches == null) {
			throw new UnknownResourceException("No provider named '" + providerName + "'.");
		}
		if (!scope.includes(providerName, account)) {
			// The same answer as for an account that does not exist: no hint that it does.
			throw noSuchAccount(providerName);
		}
		return caches;
	}

	private static UnknownResourceException noSuchAccount(String providerName) {
		return new UnknownResourceException("Provider '" + providerName + "' has no account with that name.");
	}

	/**
	 * An account's recorded history, from {@code since} (or the start of the window), without
	 * fetching anything.
	 * @throws UnknownResourceException when the provider or the account is not known
	 */
	public AccountHistory history(String providerName, String account, @Nullable Instant since) {
		return history(providerName, account, since, AccountScope.ALL);
	}

	/**
	 * An account's recorded history, when it is in the consumer's scope (outside it, as unknown).
	 * @throws UnknownResourceException when the provider or the account is not known (or not in scope)
	 */
	public AccountHistory history(String providerName, String account, @Nullable Instant since, AccountScope scope) {
		known(providerName, account, scope);
		AccountBalance balance = current(slot(List.of(providerName))).accountBalance(providerName, account);
		if (balance == null) {
			throw noSuchAccount(providerName);
		}
		Instant oldest = this.clock.instant().minus(this.properties.forecast().window());
		Instant from = (since != null && since.isAfter(oldest)) ? since : oldest;
		return new AccountHistory(providerName, account, balance.unit(), from,
				this.history.samples(providerName, account, from).stream().map(AccountHistory.Point::of).toList());
	}

	/**
	 * Every provider's account names once each list has been read, or null while some has not
	 * (for checks that need to know every account, such as scope patterns that match nothing).
	 */
	public @Nullable Map<String, List<String>> accountLists() {
		Map<String, List<String>> lists = new LinkedHashMap<>();
		for (ProviderCaches caches : this.providers.values()) {
			CachedValue<List<String>> list = caches.accounts().peek(ProviderCaches.ALL_ACCOUNTS);
			if (list == null || list.value() == null) {
				return null;
			}
			lists.put(caches.name(), list.value());
		}
		return lists;
	}

	/** The view of the given providers as the cache holds it now, without fetching anything. */
	public BalanceView view(Collection<String> providerNames) {
		return current(slot(providerNames));
	}

	/** Starts a fetch of every account of every provider without waiting (start-up warm-up). */
	public void warmUp() {
		this.providers.values()
			.forEach((caches) -> caches.accounts()
				.prefetch(ProviderCaches.ALL_ACCOUNTS)
				.thenAccept((list) -> {
					List<String> names = list.value();
					if (names != null) {
						names.forEach(caches.snapshots()::prefetch);
					}
				}));
	}

	/**
	 * The background sweep: keeps the accounts fresh (all of them, or the ones asked for, per
	 * {@code balances.cache.keep-warm}), each at its own refresh point, and forgets the figures of
	 * accounts that their provider no longer lists. Their history stays for the forecast window
	 * whatever the lists say: a list that briefly omits an account must not erase it.
	 */
	public void sweep() {
		boolean all = this.properties.cache().keepWarm() == CacheSettings.KeepWarm.ALL;
		if (!all) {
			this.slots.values().forEach(this::passOnDemand);
		}
		for (ProviderCaches caches : this.providers.values()) {
			CachedValue<List<String>> list = caches.accounts().peek(ProviderCaches.ALL_ACCOUNTS);
			List<String> names = (list != null) ? list.value() : null;
			if (names != null && list.error() == null) {
				caches.snapshots().retainOnly(names);
			}
			if (all) {
				caches.accounts().refreshDue(List.of(ProviderCaches.ALL_ACCOUNTS));
				if (names != null) {
					caches.snapshots().refreshDue(names);
				}
			}
			else {
				caches.accounts().refreshRequested();
				caches.snapshots().refreshRequested();
			}
		}
		this.history.forgetIdle();
	}

	/** Brings this replica's copies up to date with the shared store, if there is one. */
	public void resync() {
		this.providers.values().forEach((caches) -> {
			caches.accounts().resync();
			caches.snapshots().resync();
		});
	}

	/** Requests answered from a view leave no trace in the caches; the sweep marks their accounts as asked for. */
	private void passOnDemand(Slot slot) {
		if (!slot.asked) {
			return;
		}
		slot.asked = false;
		BalanceView view = slot.view;
		for (ProviderCaches caches : slot.selected) {
			caches.accounts().touch(List.of(ProviderCaches.ALL_ACCOUNTS));
			if (view != null) {
				caches.snapshots()
					.touch(view.response()
						.accounts()
						.stream()
						.filter((account) -> account.provider().equals(caches.name()))
						.map(AccountBalance::account)
						.toList());
			}
		}
	}

	/**
	 * The last good account list, however old: while a list cannot be read its accounts stay
	 * (each with its own figures, stale or failing, and the list's error beside them), so an
	 * outage of the list never makes accounts, their series and their alerts disappear.
	 */
	private static List<String> servableNames(ProviderCaches caches, CompletableFuture<CachedValue<List<String>>> list) {
		CachedValue<List<String>> entry = list.isDone() ? list.join() : caches.accounts().peek(ProviderCaches.ALL_ACCOUNTS);
		List<String> names = (entry != null) ? entry.value() : null;
		return (names != null) ? names : List.of();
	}

	private Slot slot(Collection<String> providerNames) {
		return slot(providerNames, null, AccountScope.ALL);
	}

	/** One slot per selection: providers, product and scope (so each scope gets its own bytes). */
	private Slot slot(Collection<String> providerNames, @Nullable String product, AccountScope scope) {
		String key = String.join(",", providerNames.stream().sorted().toList()) + '/' + ((product != null) ? product : "")
				+ '/' + scope.key();
		return this.slots.computeIfAbsent(key, (ignored) -> new Slot(this.providers.values()
			.stream()
			.filter((caches) -> providerNames.isEmpty() || providerNames.contains(caches.name()))
			.filter((caches) -> scope.mayInclude(caches.name()))
			.toList(), product, scope));
	}

	/** The slot's view, rebuilt when the caches changed or time alone changed its content. */
	private BalanceView current(Slot slot) {
		BalanceView view = slot.view;
		if (view != null && view.version() == version(slot) && this.clock.instant().isBefore(view.validUntil())) {
			return view;
		}
		synchronized (slot) {
			view = slot.view;
			// Read the version before the entries, so a change during assembly rebuilds again.
			long version = version(slot);
			if (view == null || view.version() != version || !this.clock.instant().isBefore(view.validUntil())) {
				view = this.assembler.assemble(slot.selected, slot.product, slot.scope, version);
				slot.view = view;
			}
			return view;
		}
	}

	private static long version(Slot slot) {
		long version = 0;
		for (ProviderCaches caches : slot.selected) {
			version += caches.version();
		}
		return version;
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

	private static final class Slot {

		private final List<ProviderCaches> selected;

		/** Only accounts holding this product, and its totals; null for all. */
		private final @Nullable String product;

		/** Only accounts in this scope. */
		private final AccountScope scope;

		private volatile BalanceView view;

		/** Asked for since the last sweep (only kept track of with keep-warm=requested). */
		private volatile boolean asked;

		Slot(List<ProviderCaches> selected, @Nullable String product, AccountScope scope) {
			this.selected = selected;
			this.product = product;
			this.scope = scope;
		}

	}

}
