# Store lookups on the signalling loop's hot path: accounts by SID, SIP domains by name, through
# the cache and as the SQLite queries they replaced.
add_executable(store_bench ${CMAKE_CURRENT_LIST_DIR}/store_bench.cpp)
target_link_libraries(store_bench PRIVATE sb_store benchmark::benchmark_main)
set_target_properties(store_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
