package dev.metaembed.opensearch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.apache.lucene.tests.util.LuceneTestCase;
import org.opensearch.ExceptionsHelper;
import org.opensearch.core.rest.RestStatus;

/** The one check the plugin's tests use for a refused request. */
public final class BadRequests {
  private BadRequests() {}

  /**
   * {@code request} fails with a 400 whose message, or a cause's, contains {@code messagePart}.
   */
  public static void assertBadRequest(Runnable request, String messagePart) {
    Exception e = LuceneTestCase.expectThrows(Exception.class, request::run);
    assertEquals(
        ExceptionsHelper.detailedMessage(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
    StringBuilder all = new StringBuilder(ExceptionsHelper.detailedMessage(e));
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(' ').append(t.getMessage());
    }
    assertTrue(messagePart + " not in: " + all, all.toString().contains(messagePart));
  }
}
