package dev.metaembed.cli;

/**
 * A cascade, written {@code 2x4:200}: rank the graph candidates at budget {@code 2x4} first, then
 * rescore only the best 200 at the query's budget ({@code LateInteractionQuery.Builder#prune}).
 * Applies to budgets larger than its own; approximate.
 */
record Prune(Budget budget, int keep) {
  static Prune parse(String text) {
    String[] parts = text.trim().split(":");
    if (parts.length == 2) {
      try {
        int keep = Integer.parseInt(parts[1].trim());
        if (keep >= 1) {
          return new Prune(Budget.parse(parts[0]), keep);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new UserException(
        "bad prune \""
            + text
            + "\": write QUERYxDOCUMENT:KEEP with positive numbers, e.g. 2x4:200");
  }

  /** True when {@code b} is larger than the pruning budget, so the cascade can save work. */
  boolean appliesTo(Budget b) {
    return b.query() >= budget.query()
        && b.document() >= budget.document()
        && b.equals(budget) == false;
  }

  @Override
  public String toString() {
    return budget.query() + "x" + budget.document() + ":" + keep;
  }
}
