# Store writer kernels: Call saves through the SQLite writer, in batches of a given size.
add_executable(store_writer_bench ${CMAKE_CURRENT_LIST_DIR}/store_writer_bench.cpp)
target_link_libraries(store_writer_bench PRIVATE sb_store benchmark::benchmark_main)
set_target_properties(store_writer_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
