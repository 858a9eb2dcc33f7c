redirect :copy "c@example.com";
