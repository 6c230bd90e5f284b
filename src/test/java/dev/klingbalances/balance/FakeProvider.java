package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** A provider whose answers tests script per account, counting the fetches. */
public final class FakeProvider implements BalanceProvider {

	private final String name;

	private final String unit;

	private final Duration ttl;

	private volatile Supplier<Mono<List<String>>> accounts;

	private volatile @Nullable Duration dataDelay;

	private volatile List<String> products = List.of("video");

	private final Map<String, Supplier<Mono<BalanceSnapshot>>> answers = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();

	public FakeProvider(String name, String unit, Duration ttl, String... accounts) {
		this.name = name;
		this.unit = unit;
		this.ttl = ttl;
		List<String> list = List.of(accounts);
		this.accounts = () -> Mono.just(list);
	}

	public FakeProvider answer(String account, Supplier<Mono<BalanceSnapshot>> answer) {
		this.answers.put(account, answer);
		return this;
	}

	public FakeProvider accounts(Supplier<Mono<List<String>>> accounts) {
		this.accounts = accounts;
		return this;
	}

	/** The products its grants can be of; {@code video} by default, as {@link #grant} makes them. */
	public FakeProvider products(String... products) {
		this.products = List.of(products);
		return this;
	}

	@Override
	public List<String> products() {
		return this.products;
	}

	/** How far the figures lag (Kling: 12 h); none by default. */
	public FakeProvider dataDelay(Duration delay) {
		this.dataDelay = delay;
		return this;
	}

	public int fetches(String account) {
		AtomicInteger count = this.fetches.get(account);
		return (count != null) ? count.get() : 0;
	}

	public static BalanceSnapshot snapshot(Grant... grants) {
		return new BalanceSnapshot(List.of(grants), Map.of());
	}

	public static Grant grant(GrantStatus status, String total, String remaining) {
		return grant("video", status, total, remaining);
	}

	public static Grant grant(String product, GrantStatus status, String total, String remaining) {
		return new Grant(product + "-" + total + "-" + remaining, "pack", product, "decreasing_total", status, status.name(),
				new BigDecimal(total), new BigDecimal(remaining), Instant.parse("2026-01-01T00:00:00Z"),
				Instant.parse("2027-01-01T00:00:00Z"));
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public String unit() {
		return this.unit;
	}

	@Override
	public Duration cacheTtl() {
		return this.ttl;
	}

	@Override
	public @Nullable Duration dataDelay() {
		return this.dataDelay;
	}

	@Override
	public Mono<List<String>> accounts() {
		return this.accounts.get();
	}

	@Override
	public Mono<BalanceSnapshot> fetch(String account) {
		this.fetches.computeIfAbsent(account, (key) -> new AtomicInteger()).incrementAndGet();
		Supplier<Mono<BalanceSnapshot>> answer = this.answers.get(account);
		return (answer != null) ? answer.get() : Mono.error(new UpstreamException(ErrorCode.ACCOUNT_NOT_FOUND, "no such account", 404));
	}

}
