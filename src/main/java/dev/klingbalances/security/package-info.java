/**
 * Who may ask, and how often: API keys (hashed, scoped to accounts), the per-consumer rate
 * limit, request limits, the access log and the Spring Security chain.
 * <p>
 * May import: {@code model}, {@code cache} (its settings), {@code balance}, {@code web}. Must not import a store
 * implementation (the shared budget is an interface here, implemented in {@code store}).
 */
package dev.klingbalances.security;
