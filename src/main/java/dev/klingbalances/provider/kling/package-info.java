/**
 * Kling's official API ({@code /account/costs}): JWT signing, the client, the resource-pack
 * mapping and product rules, and its properties ({@code balances.kling.*}).
 * <p>
 * May import: {@code model}, {@code provider}, {@code upstream}. Never another provider.
 */
package dev.klingbalances.provider.kling;
