require "copy";
redirect :copy "c@example.com";
