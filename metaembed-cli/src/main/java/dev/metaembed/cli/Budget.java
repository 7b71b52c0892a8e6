package dev.metaembed.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** A budget (r_q, r_c), written {@code 4x8}: the first 4 query vectors against the first 8 document vectors. */
record Budget(int query, int document) {
  static Budget parse(String text) {
    String[] parts = text.trim().split("x");
    try {
      if (parts.length == 2) {
        Budget budget = new Budget(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        if (budget.query >= 1 && budget.document >= 1) {
          return budget;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UserException(
        "bad budget \"" + text + "\": write QUERYxDOCUMENT with positive numbers, e.g. 4x8");
  }

  static List<Budget> parseList(String text) {
    List<Budget> budgets = new ArrayList<>();
    for (String part : text.split(",")) {
      budgets.add(parse(part));
    }
    return budgets;
  }

  @Override
  public String toString() {
    return "(" + query + "," + document + ")";
  }

  /** Converts option values, so picocli reports a bad budget as a usage error. */
  static final class Converter implements CommandLine.ITypeConverter<Budget> {
    @Override
    public Budget convert(String value) {
      return parse(value);
    }
  }
}
