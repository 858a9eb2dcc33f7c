require "include";
include "d1";
