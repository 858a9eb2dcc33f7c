keep;
  frobnicate;
