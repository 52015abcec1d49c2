import Testing

@Test func reportsPlaceholder() {}
