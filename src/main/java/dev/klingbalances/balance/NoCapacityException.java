package dev.klingbalances.balance;

import java.util.List;

import dev.klingbalances.model.NextAccount;

/** No account can take a job of the product and need asked for (answered 404 with the candidates). */
public class NoCapacityException extends RuntimeException {

	private final transient List<NextAccount.Candidate> candidates;

	public NoCapacityException(String message, List<NextAccount.Candidate> candidates) {
		super(message);
		this.candidates = List.copyOf(candidates);
	}

	public List<NextAccount.Candidate> candidates() {
		return this.candidates;
	}

}
