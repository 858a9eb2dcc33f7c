require "include";
include "a";
