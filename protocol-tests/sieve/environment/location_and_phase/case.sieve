require "environment";
if allof (environment :is "location" "MDA", environment :is "phase" "during") { discard; }
