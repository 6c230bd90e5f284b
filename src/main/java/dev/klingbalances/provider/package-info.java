/**
 * The provider SPI: {@link dev.klingbalances.provider.BalanceProvider}, which each provider
 * package ({@code provider.kling}, {@code provider.useapi}) implements, and what a provider
 * hands back (a {@link dev.klingbalances.provider.BalanceSnapshot} or an
 * {@link dev.klingbalances.provider.UpstreamException}).
 * <p>
 * May import: {@code model}. A provider package may import {@code model}, {@code provider} and
 * {@code upstream}, never another provider; nothing outside {@code provider.*} imports a
 * provider package (providers are found as beans).
 */
package dev.klingbalances.provider;
