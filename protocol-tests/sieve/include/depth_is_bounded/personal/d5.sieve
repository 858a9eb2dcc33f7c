require "include";
include "d6";
