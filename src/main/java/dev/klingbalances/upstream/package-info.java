/**
 * Calling upstreams politely: the WebClients, request lanes and pacing that keep every account
 * within its QPS, {@code Retry-After}, and the failure types the Resilience4j policies act on.
 * <p>
 * May import: {@code model}, {@code provider}, {@code cache}. Must not import a provider
 * package, the API or a store implementation.
 */
package dev.klingbalances.upstream;
