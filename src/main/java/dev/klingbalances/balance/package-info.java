/**
 * The HTTP API of balances: {@code GET /balances}, {@code /balances/{provider}/{account}},
 * its history and {@code /balances/next}; the service that fans out to the providers through
 * the cache, the prepared views (bytes and ETags per scope), the account picker and the
 * service-wide settings ({@code balances.*}).
 * <p>
 * May import: {@code model}, {@code provider}, {@code cache}, {@code forecast}. Must not import
 * a provider package, {@code web}, {@code security} or a store implementation.
 */
package dev.klingbalances.balance;
