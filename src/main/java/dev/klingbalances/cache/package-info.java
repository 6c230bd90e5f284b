/**
 * What happens on a cache miss: the refresh-ahead cache ({@code RefreshingCache}) with its
 * single flight per key, fetch deadlines, error TTLs and background sweep, and the interfaces of
 * the shared store it reads and writes ({@code SharedStore}, {@code SharedEntries},
 * {@code Leadership}). Settings: {@code balances.cache.*}.
 * <p>
 * May import: {@code model}, {@code provider}. Must not import the API ({@code balance}) or a
 * store implementation ({@code store}).
 */
package dev.klingbalances.cache;
