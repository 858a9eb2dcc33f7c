require "vacation";
vacation :handle "a" "x";
vacation :handle "b" "y";
