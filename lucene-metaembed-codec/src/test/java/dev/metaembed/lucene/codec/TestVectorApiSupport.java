package dev.metaembed.lucene.codec;

import org.apache.lucene.tests.util.LuceneTestCase;

/** The one decision on the Vector API, for every property value, available or not. */
public class TestVectorApiSupport extends LuceneTestCase {

  public void testDefaultFollowsAvailability() {
    assertTrue(VectorApiSupport.decide(null, null));
    assertTrue(VectorApiSupport.decide("  ", null));
    assertFalse(VectorApiSupport.decide(null, "module jdk.incubator.vector is not added"));
  }

  public void testOverrides() {
    assertTrue(VectorApiSupport.decide(" Panama ", null));
    assertFalse(VectorApiSupport.decide("scalar", null));
    assertFalse(VectorApiSupport.decide("SCALAR", "no module"));
    UnsupportedOperationException e =
        expectThrows(
            UnsupportedOperationException.class,
            () -> VectorApiSupport.decide("panama", "no module"));
    assertTrue(
        e.getMessage(),
        e.getMessage().contains("metaembed.vector.api=panama")
            && e.getMessage().contains("no module"));
  }

  public void testBadValueIsAClearError() {
    for (String bad : new String[] {"avx", "true", "panama,scalar"}) {
      IllegalArgumentException e =
          expectThrows(IllegalArgumentException.class, () -> VectorApiSupport.decide(bad, null));
      assertTrue(
          e.getMessage(),
          e.getMessage()
              .contains(
                  "metaembed.vector.api must be panama or scalar (or unset), got \"" + bad + "\""));
    }
  }

  public void testThisSuiteRunsWithTheVectorApi() {
    // surefire adds jdk.incubator.vector and sets no override (root pom)
    assertNull(VectorApiSupport.unavailableReason());
    assertTrue(VectorApiSupport.usePanama());
  }
}
