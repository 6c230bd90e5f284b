/**
 * The normalized balance model every answer is made of: grants and their products, an
 * account's and a provider's figures, forecasts, error codes and their failure classes.
 * Records and small pure helpers only.
 * <p>
 * May import: nothing of this project. Everything else may import it.
 */
package dev.klingbalances.model;
