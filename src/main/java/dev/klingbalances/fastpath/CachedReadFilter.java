package dev.klingbalances.fastpath;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

import dev.klingbalances.balance.AccountScope;
import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalanceView;
import dev.klingbalances.balance.PreparedJson;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.security.ConsumerGate;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Answers a {@link CachedRead} from its prepared bytes ahead of Spring Security and Spring MVC,
 * when the caller has a valid key (or none is needed) and the answer needs no fetch; leaves
 * every other request to the full chain untouched. It decides nothing itself: who the caller is,
 * its budget, refusals and security headers come from the {@link ConsumerGate}, the answer and
 * its cache headers from the {@link BalanceService} and {@link PreparedJson}, conditional
 * requests from Spring's {@link ServletWebRequest}, exactly as on the full chain.
 */
final class CachedReadFilter implements Filter {

	private final BalanceService service;

	private final ConsumerGate gate;

	private final Clock clock;

	private final Set<String> providers;

	private final Set<String> products;

	CachedReadFilter(BalanceService service, ConsumerGate gate, Clock clock) {
		this.service = service;
		this.gate = gate;
		this.clock = clock;
		this.providers = Set.copyOf(service.providerNames());
		this.products = Set.copyOf(service.productNames());
	}

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
		if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
			chain.doFilter(req, res);
			return;
		}
		CachedRead read = CachedRead.of(request, this.providers, this.products);
		ConsumerGate.Caller caller = (read != null) ? this.gate.identify(request) : null;
		if (read == null || caller == null || caller.isAnonymous()) {
			chain.doFilter(request, response);
			return;
		}
		Answer answer = caller.isRefused() ? null : answer(read, caller.scope());
		if (answer == null && !caller.isRefused()) {
			chain.doFilter(request, response);
			return;
		}
		this.gate.serve(request, response, caller, (rq, rs) -> {
			if (answer != null) {
				// The route as Spring MVC names it in http.server.requests; like MVC, only for
				// requests that get past security (refusals stay UNKNOWN on both paths).
				ServerHttpObservationFilter.findObservationContext(request)
					.ifPresent((context) -> context.setPathPattern(read.pattern()));
				write((HttpServletRequest) rq, (HttpServletResponse) rs, answer);
			}
		});
	}

	/** The prepared answer, or null when the full chain has to fetch or refuse. */
	private @Nullable Answer answer(CachedRead read, AccountScope scope) {
		if (read.account() != null) {
			PreparedJson<AccountBalance> account = this.service.preparedBalance(read.provider(), read.account(), scope);
			return (account != null) ? new Answer(account, null) : null;
		}
		BalanceView view = this.service.prepared((read.provider() != null) ? Set.of(read.provider()) : Set.of(),
				read.product(), scope);
		return (view != null) ? new Answer(view.content(), view) : null;
	}

	/** 200 with the bytes, or 304; both with the entity tag and cache headers the controller sends. */
	private void write(HttpServletRequest request, HttpServletResponse response, Answer answer) throws IOException {
		Instant now = this.clock.instant();
		boolean notModified = new ServletWebRequest(request, response).checkNotModified(answer.content().etag());
		answer.content().cacheHeaders(now).forEach((name, values) -> values.forEach((value) -> response.setHeader(name, value)));
		if (notModified) {
			return;
		}
		byte[] body = (answer.view() != null) ? answer.view().body(now) : answer.content().bytes();
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}

	/** @param view the /balances view whose body carries a timestamp, or null for an account's bytes */
	private record Answer(PreparedJson<?> content, @Nullable BalanceView view) {
	}

}
