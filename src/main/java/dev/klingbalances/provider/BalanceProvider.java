package dev.klingbalances.provider;

import java.time.Duration;
import java.util.List;

import dev.klingbalances.model.Grant;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One upstream source of balances. Adding a provider means adding a package with one bean of
 * this type; the aggregation, caching, deadline and HTTP API come for free.
 * <p>
 * Implementations own everything about talking to their upstream: authentication, rate
 * limits, retries, circuit breaking and timeouts. They never cache: the aggregation layer
 * caches and coalesces, and calls {@link #fetch} at most once at a time per account.
 */
public interface BalanceProvider {

	/** Lower-case name used in URLs, JSON and metrics, e.g. {@code kling}. */
	String name();

	/**
	 * How people call this provider, e.g. {@code Kling API}: the status page and the OpenAPI
	 * description show it. The name unless a provider says otherwise.
	 */
	default String displayName() {
		return name();
	}

	/** Unit of every quantity this provider reports, e.g. {@code units} or {@code credits}. */
	String unit();

	/**
	 * The products this provider's grants can be of (see {@link Grant#product()}), in the order
	 * its pools are listed: each gets a total even when no account holds it, and together they
	 * are the values {@code ?product=} accepts.
	 */
	List<String> products();

	/** How long a successful snapshot counts as fresh. */
	Duration cacheTtl();

	/** How far the upstream's own figures may lag reality, or null when not known to lag. */
	@Nullable Duration dataDelay();

	/**
	 * The accounts to report. Static configuration answers at once; a provider that discovers
	 * its accounts asks its upstream (the result is cached like a snapshot).
	 * @return account names, as used in {@code /balances/{provider}/{account}}
	 */
	Mono<List<String>> accounts();

	/**
	 * Reads one account's balance from the upstream.
	 * @param account one of the names from {@link #accounts()}
	 * @return the snapshot, or an error that is an {@link UpstreamException}
	 */
	Mono<BalanceSnapshot> fetch(String account);

}
