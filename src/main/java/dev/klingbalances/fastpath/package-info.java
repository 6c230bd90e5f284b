/**
 * The cached read path: {@code GET}/{@code HEAD /balances} and
 * {@code /balances/{provider}/{account}} answered from their prepared bytes in a servlet filter
 * ahead of Spring Security and Spring MVC, when the answer is a prepared view and the request is
 * plain (canonical path, known parameters, nothing that asks for more than the cache). Anything
 * else goes on, unchanged, through the full chain ({@code balances.fast-path.enabled=false}
 * sends everything there).
 * <p>
 * It owns the matching of such requests and nothing else: the key check, the rate limit, the
 * refusals and the security headers come from {@code security.ConsumerGate} (the security
 * chain's own objects), the answer and its cache headers from {@code balance} (BalanceService,
 * PreparedJson), conditional requests from Spring's {@code ServletWebRequest}; the request id,
 * the access line and the {@code http.server.requests} metric from the servlet filters that run
 * before it for every request. May import {@code balance} and {@code security}; nothing imports it.
 */
package dev.klingbalances.fastpath;
